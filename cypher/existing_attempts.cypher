UNWIND $ids AS id
MATCH ()-[a:ATTEMPTED {event_id: id}]->()
RETURN a.event_id AS id
