// One adjustment per student and 15-minute window: the first writer wins, a second process
// (or a re-run) finds it and learns it was not the one that created it
MATCH (s:Student {id: $student_id})
MERGE (a:Adjustment {id: $id})
ON CREATE SET a.student_id = $student_id, a.window = $window, a.findings = $findings,
              a.actions = $actions, a.reasons = $reasons, a.run_id = $run_id, a.ts = $ts
MERGE (s)-[:ADJUSTED]->(a)
RETURN a.run_id = $run_id AS created
