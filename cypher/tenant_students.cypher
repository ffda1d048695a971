// One tenant's students by the ids its LMS names them with ($rows: {id, keys}, the keys being
// the id itself and the tenant's namespaced id); another tenant's student is never returned
UNWIND $rows AS r
UNWIND r.keys AS key
MATCH (s:Student {id: key})
WHERE s.tenant = $tenant
RETURN r.id AS id, s.id AS key
