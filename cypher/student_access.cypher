// What the access rule needs: the student's tenant, and whether the calling tutor teaches them
MATCH (s:Student {id: $student_id})
OPTIONAL MATCH (s)-[:MEMBER_OF]->(:Class)<-[:TEACHES]-(t:Tutor {id: $tutor_id})
RETURN s.id AS student_id, coalesce(s.tenant, '') AS tenant, count(t) > 0 AS taught
