UNWIND $ids AS id
MATCH ()-[a:ATTEMPTED {event_id: id}]->()
RETURN count(a) AS n
