// Shortest prerequisite chain from one KP to another (FalkorDB takes shortestPath only in WITH/RETURN)
MATCH (a:KnowledgePoint {id: $from_id})
MATCH (b:KnowledgePoint {id: $to_id})
WITH shortestPath((a)-[:PREREQUISITE_OF*1..64]->(b)) AS path
RETURN [n IN nodes(path) | n.id] AS chain
