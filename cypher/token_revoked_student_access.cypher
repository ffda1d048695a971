// The gate's two questions in one round trip, for a request that names a student: is the
// token dead (as token_revoked.cypher), and what the access rule needs of the student (as
// student_access.cypher: null student_id for an unknown student)
OPTIONAL MATCH (t:RevokedToken {id: $jti})
WITH count(t) AS n
OPTIONAL MATCH (u:User {id: $subject})
WITH n, coalesce(u.disabled, false) AS disabled, coalesce(u.tokens_after, 0) AS tokens_after
OPTIONAL MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:MEMBER_OF]->(:Class)<-[:TEACHES]-(tu:Tutor {id: $tutor_id})
RETURN n, disabled, tokens_after, s.id AS student_id, coalesce(s.tenant, '') AS tenant,
       count(tu) > 0 AS taught
