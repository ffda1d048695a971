MATCH (c:Chapter {id: $chapter_id})
RETURN c.id AS id
