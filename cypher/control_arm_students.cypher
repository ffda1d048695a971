// Which of these students are in a control arm (not the product's adaptive one) of a running
// experiment: adjustments and affect re-routes leave them alone
UNWIND $ids AS sid
MATCH (s:Student {id: sid})-[e:ENROLLED]->(x:Experiment)
WHERE x.phase = 'running' AND e.arm IS NOT NULL AND e.arm <> $adaptive
RETURN DISTINCT s.id AS id
