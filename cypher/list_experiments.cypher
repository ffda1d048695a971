// The experiments a caller may see, newest first: a tutor's own and those on classes they
// teach, an LMS tenant's classes' ($tutor_id and $tenant '' for admins)
MATCH (x:Experiment)
OPTIONAL MATCH (x)-[:ON]->(c:Class)
OPTIONAL MATCH (c)<-[:TEACHES]-(me:Tutor {id: $tutor_id})
WITH x, c, count(me) AS mine
ORDER BY c.id
WITH x, collect(c.id) AS class_ids, collect(coalesce(c.tenant, '')) AS tenants,
     sum(mine) AS taught
WHERE ($tutor_id = '' OR x.created_by = $tutor_id OR taught > 0)
  AND ($tenant = '' OR $tenant IN tenants)
RETURN properties(x) AS props, class_ids, x.created_at AS created, x.id AS id
ORDER BY created DESC, id
