// Every student with the dataset it belongs to (the daily profile job walks them in batches)
MATCH (s:Student)
RETURN s.id AS id, s.dataset AS dataset
ORDER BY id
