MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:MEMBER_OF]->(c:Class)
WITH s, collect(c.id) AS classes
OPTIONAL MATCH (s)-[m:MASTERY]->(:KnowledgePoint)
RETURN s.id AS id, coalesce(s.name, '') AS name, coalesce(s.email, '') AS email,
       coalesce(s.tenant, '') AS tenant, coalesce(s.dataset, '') AS dataset,
       coalesce(s.affect_consent, false) AS affect_consent, classes,
       avg(m.p) AS mastery, count(m) AS kps, max(m.last_ts) AS last_active
