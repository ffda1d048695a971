// The dataset of a question or resource, by id (null when there is no such item)
OPTIONAL MATCH (q:Question {id: $item_id})
OPTIONAL MATCH (r:Resource {id: $item_id})
RETURN coalesce(q.dataset, r.dataset) AS dataset
