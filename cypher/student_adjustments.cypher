// A student's adjustment audit trail, newest window first
MATCH (:Student {id: $student_id})-[:ADJUSTED]->(a:Adjustment)
RETURN a.window AS window, a.findings AS findings, a.actions AS actions,
       a.reasons AS reasons, a.ts AS ts
ORDER BY window DESC
LIMIT $limit
