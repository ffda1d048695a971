// The resources a plan shows, in one round trip, as three parts cut to their own counts
// (LIMIT 0 leaves a part out): 0, the dataset's emotional-support resources; 1, basic videos
// and worked examples on $basic_kps; 2, any resource on $more_kps, basic ones first. A
// resource comes once per KP it teaches; ties keep the order of the KP lists.
MATCH (r:Resource {kind: 'support'})
WHERE r.dataset = $dataset
RETURN 0 AS part, r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       '' AS kp_id
ORDER BY id
LIMIT $support
UNION ALL
UNWIND range(0, size($basic_kps) - 1) AS i
MATCH (r:Resource)-[:TEACHES]->(:KnowledgePoint {id: $basic_kps[i]})
WHERE r.level = 'basic' AND r.kind IN ['video', 'worked_example']
RETURN 1 AS part, r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       $basic_kps[i] AS kp_id
ORDER BY id, i
LIMIT $basic
UNION ALL
UNWIND range(0, size($more_kps) - 1) AS i
MATCH (r:Resource)-[:TEACHES]->(:KnowledgePoint {id: $more_kps[i]})
RETURN 2 AS part, r.id AS id, r.title AS title, r.kind AS kind, r.level AS level, r.url AS url,
       $more_kps[i] AS kp_id
ORDER BY CASE level WHEN 'basic' THEN 0 WHEN 'standard' THEN 1 ELSE 2 END, id, i
LIMIT $more
