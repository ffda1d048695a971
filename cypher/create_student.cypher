// The unique constraint on Student.id turns an existing id into a ConstraintViolation (409)
CREATE (s:Student {id: $id, name: $name, email: $email, tenant: $tenant, dataset: $dataset,
                   affect_consent: false, created: $now})
RETURN s.id AS id
