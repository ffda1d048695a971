// A student's consent to an experiment of one of their classes (before or while it runs);
// taking it back after consenting is a withdrawal, dated once. No row: not a student of it.
MATCH (x:Experiment {id: $id})-[:ON]->(:Class)<-[:MEMBER_OF]-(s:Student {id: $student_id})
WITH DISTINCT x, s
MERGE (s)-[e:ENROLLED]->(x)
SET e.withdrawn_at = CASE WHEN NOT $consent AND e.consent = true
                          THEN coalesce(e.withdrawn_at, $now) ELSE e.withdrawn_at END,
    e.consent = CASE WHEN e.withdrawn_at IS NOT NULL THEN false ELSE $consent END,
    e.consent_at = $now
RETURN e.consent AS consent, e.withdrawn_at AS withdrawn_at, e.arm AS arm
