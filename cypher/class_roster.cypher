// A class's name and its students (the rows of the tutor's class report), students by id
MATCH (c:Class {id: $class_id})
OPTIONAL MATCH (c)<-[:MEMBER_OF]-(s:Student)
WITH c, s
ORDER BY s.id
RETURN c.id AS id, coalesce(c.name, '') AS name,
       [x IN collect(s) | {id: x.id, name: coalesce(x.name, '')}] AS students
