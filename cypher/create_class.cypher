// A new class; the unique constraint on Class.id turns an existing id into a
// ConstraintViolation (409)
CREATE (c:Class {id: $id, name: $name, dataset: $dataset, tenant: '', created: $now})
RETURN c.id AS id
