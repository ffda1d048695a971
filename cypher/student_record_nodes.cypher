// Nodes that name a student by property (notifications, paths, adjustments, statements, the
// account), whether or not an edge links them: the export and the erasure both need them
MATCH (n)
WHERE n.student_id = $student_id
RETURN labels(n)[0] AS kind, properties(n) AS props
