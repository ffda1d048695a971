// The tests a caller may see, newest first: a tutor's own and those of classes they teach, an
// LMS tenant's classes' ($tutor_id and $tenant '' for admins); archived ones on request only
MATCH (t:Assessment)
WHERE ($archived OR t.status <> 'archived') AND t.purpose = $purpose
OPTIONAL MATCH (t)-[:ASSIGNED_TO]->(c:Class)
OPTIONAL MATCH (c)<-[:TEACHES]-(me:Tutor {id: $tutor_id})
WITH t, c, count(me) AS mine
ORDER BY c.id
WITH t, collect(c.id) AS class_ids, collect(coalesce(c.tenant, '')) AS tenants,
     sum(mine) AS taught
WHERE ($tutor_id = '' OR t.created_by = $tutor_id OR taught > 0)
  AND ($tenant = '' OR $tenant IN tenants)
OPTIONAL MATCH (x:Sitting {test_id: t.id})
WITH t, class_ids, count(x) AS sittings
RETURN properties(t) AS props, class_ids, sittings, t.created_at AS created, t.id AS id
ORDER BY created DESC, id
