// A student's questionnaire answers, stored once: a resent response changes nothing, and the
// stored answers come back (with whether this call stored them) so the caller can tell a
// resend from a contradiction
MATCH (s:Student {id: $student_id})-[:ENROLLED]->(x:Experiment {id: $experiment_id})
MERGE (r:QuestionnaireResponse {id: $id})
ON CREATE SET r.student_id = $student_id, r.experiment_id = $experiment_id,
              r.answers = $answers, r.ts = $now, r.fresh = true
WITH s, r, r.fresh IS NOT NULL AS created
SET r.fresh = null
MERGE (s)-[:RESPONDED]->(r)
RETURN r.answers AS answers, created
