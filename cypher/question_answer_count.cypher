// How many answers a question version has, and its version facts
MATCH (q:Question {id: $id})
OPTIONAL MATCH (q)<-[a:ATTEMPTED]-(:Student)
RETURN count(a) AS answers, coalesce(q.version, 1) AS version,
       coalesce(q.base_id, q.id) AS base_id, q.superseded_by AS superseded_by,
       q.dataset AS dataset
