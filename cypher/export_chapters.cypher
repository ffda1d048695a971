// A course's chapters for the curriculum export, archived ones included
MATCH (c:Chapter {dataset: $dataset})
RETURN c.id AS id, c.name AS name, coalesce(c.order, 0) AS order, coalesce(c.area, '') AS area,
       coalesce(c.archived, false) AS archived
ORDER BY order, id
