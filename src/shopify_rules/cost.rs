//! Query cost as Shopify documents it: what a request is charged before and after it runs.
//!
//! Scalars and enums cost 0, objects 1, a connection 2 plus `first` (or `last`) times the cost
//! of one node, a mutation field 10; on an interface or union the most expensive possibility counts.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::Schema;
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use serde_json::Value;

/// The most one query may ask for.
pub const MAX_QUERY_COST: u64 = 1000;

/// What a selection is charged: the requested cost (before execution, from the arguments) or
/// the actual cost (after execution, from the data returned).
pub struct Coster<'a> {
    schema: &'a Valid<Schema>,
    doc: &'a Valid<ExecutableDocument>,
    variables: &'a serde_json::Map<String, Value>,
}

impl<'a> Coster<'a> {
    /// A coster for one request.
    pub fn new(
        schema: &'a Valid<Schema>,
        doc: &'a Valid<ExecutableDocument>,
        variables: &'a serde_json::Map<String, Value>,
    ) -> Self {
        Coster { schema, doc, variables }
    }

    /// The requested cost of an operation.
    pub fn requested(&self, op: &Operation) -> u64 {
        self.root(op, None)
    }

    /// The actual cost of an operation, given the `data` it returned.
    pub fn actual(&self, op: &Operation, data: &Value) -> u64 {
        self.root(op, Some(data))
    }

    fn root(&self, op: &Operation, data: Option<&Value>) -> u64 {
        if op.operation_type.is_mutation() {
            let mut fields = Vec::new();
            self.collect(&op.selection_set, &op.selection_set.ty, &mut fields);
            return 10 * fields.iter().filter(|f| !f.name.starts_with("__")).count() as u64;
        }
        self.set_cost(&op.selection_set, data, false)
    }

    /// Fields of a selection set that apply to the concrete type `ty`, fragments flattened.
    fn collect<'s>(&'s self, set: &'s SelectionSet, ty: &str, out: &mut Vec<&'s Field>) {
        for sel in &set.selections {
            match sel {
                Selection::Field(f) => out.push(f),
                Selection::InlineFragment(frag) => {
                    if frag.type_condition.as_ref().is_none_or(|c| self.applies(c.as_str(), ty)) {
                        self.collect(&frag.selection_set, ty, out);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if let Some(def) = self.doc.fragments.get(&spread.fragment_name)
                        && self.applies(def.type_condition().as_str(), ty)
                    {
                        self.collect(&def.selection_set, ty, out);
                    }
                }
            }
        }
    }

    fn applies(&self, condition: &str, ty: &str) -> bool {
        condition == ty || self.schema.is_subtype(condition, ty)
    }

    /// The concrete types a selection set may meet.
    fn possible_types(&self, ty: &str) -> Vec<String> {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Interface(_)) | Some(ExtendedType::Union(_)) => {
                let mut v: Vec<String> = self
                    .schema
                    .types
                    .iter()
                    .filter(|(name, def)| {
                        matches!(def, ExtendedType::Object(_)) && self.schema.is_subtype(ty, name.as_str())
                    })
                    .map(|(name, _)| name.to_string())
                    .collect();
                if v.is_empty() {
                    v.push(ty.to_string());
                }
                v
            }
            _ => vec![ty.to_string()],
        }
    }

    /// Cost of the fields of a selection set; `data` is the object returned, for actual costs.
    fn set_cost(&self, set: &SelectionSet, data: Option<&Value>, _in_list: bool) -> u64 {
        let types = match data.and_then(|d| d.get("__typename")).and_then(Value::as_str) {
            Some(t) => vec![t.to_string()],
            None => self.possible_types(set.ty.as_str()),
        };
        types
            .iter()
            .map(|ty| {
                let mut fields = Vec::new();
                self.collect(set, ty, &mut fields);
                fields.iter().map(|f| self.field_cost(f, data.and_then(|d| d.get(f.response_key().as_str())))).sum()
            })
            .max()
            .unwrap_or(0)
    }

    fn field_cost(&self, field: &Field, data: Option<&Value>) -> u64 {
        let ty = field.definition.ty.inner_named_type();
        match self.schema.types.get(ty) {
            Some(ExtendedType::Object(_)) | Some(ExtendedType::Interface(_)) | Some(ExtendedType::Union(_)) => {}
            _ => return 0,
        }
        let actual = data.is_some();
        if matches!(data, Some(Value::Null)) {
            return 0;
        }
        if ty.as_str().ends_with("Connection") {
            let items = match data {
                Some(d) => {
                    d.get("edges").or_else(|| d.get("nodes")).and_then(Value::as_array).map_or(0, |a| a.len() as u64)
                }
                None => self.page_size(field),
            };
            let per_item = self.node_cost(&field.selection_set, data);
            return 2 + items * per_item;
        }
        match data {
            Some(Value::Array(items)) => {
                items.iter().map(|i| 1 + self.set_cost(&field.selection_set, Some(i), true)).sum()
            }
            _ if actual => 1 + self.set_cost(&field.selection_set, data, false),
            _ => 1 + self.set_cost(&field.selection_set, None, false),
        }
    }

    /// Cost of one node of a connection: the `node` under `edges` and the items of `nodes`.
    fn node_cost(&self, set: &SelectionSet, data: Option<&Value>) -> u64 {
        let mut fields = Vec::new();
        self.collect(set, set.ty.as_str(), &mut fields);
        let mut cost = 0;
        for f in fields {
            match f.name.as_str() {
                "edges" => {
                    let mut inner = Vec::new();
                    self.collect(&f.selection_set, f.selection_set.ty.as_str(), &mut inner);
                    for n in inner.iter().filter(|n| n.name == "node") {
                        let sample = data
                            .and_then(|d| d.get(f.response_key().as_str()))
                            .and_then(|e| e.get(0))
                            .and_then(|e| e.get(n.response_key().as_str()));
                        cost += 1 + self.set_cost(&n.selection_set, sample, false);
                    }
                }
                "nodes" => {
                    let sample = data.and_then(|d| d.get(f.response_key().as_str())).and_then(|e| e.get(0));
                    cost += 1 + self.set_cost(&f.selection_set, sample, false);
                }
                _ => {}
            }
        }
        cost
    }

    /// The `first` or `last` argument of a connection field.
    pub fn page_size(&self, field: &Field) -> u64 {
        for arg in &field.arguments {
            if arg.name == "first" || arg.name == "last" {
                if let Some(n) = arg.value.to_i32() {
                    return n.max(0) as u64;
                }
                if let Some(var) = arg.value.as_variable()
                    && let Some(n) = self.variables.get(var.as_str()).and_then(Value::as_u64)
                {
                    return n;
                }
            }
        }
        0
    }
}
