// Everything hanging off a student: attempts, mastery, affect, paths, adjustments, classes,
// xAPI statements (the export), with what each edge leads to
MATCH (s:Student {id: $student_id})-[r]->(x)
RETURN type(r) AS rel, properties(r) AS props, labels(x)[0] AS kind, properties(x) AS target
