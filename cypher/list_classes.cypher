// Classes with their student counts, by name; each scope is off when '' (a tutor's classes,
// an LMS tenant's classes; both '' for admins)
MATCH (c:Class)
WHERE ($tutor_id = '' OR (c)<-[:TEACHES]-(:Tutor {id: $tutor_id}))
  AND ($tenant = '' OR c.tenant = $tenant)
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(s:Student)
RETURN c.id AS id, coalesce(c.name, '') AS name, count(DISTINCT s) AS students
ORDER BY name, id
