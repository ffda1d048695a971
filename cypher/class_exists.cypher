MATCH (c:Class {id: $class_id})
RETURN c.id AS id
