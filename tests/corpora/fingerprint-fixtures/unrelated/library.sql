CREATE TABLE authors (
    id SERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    born DATE
);

CREATE TABLE books (
    id SERIAL PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES authors(id),
    title TEXT NOT NULL,
    published DATE,
    pages INTEGER CHECK (pages > 0)
);

CREATE INDEX books_author_idx ON books (author_id);

INSERT INTO authors (name, born) VALUES ('A. Writer', '1950-01-01');

SELECT a.name,
       COUNT(b.id) AS books,
       AVG(b.pages) AS average_pages
FROM authors a
LEFT JOIN books b ON b.author_id = a.id
GROUP BY a.name
HAVING COUNT(b.id) > 2
ORDER BY books DESC
LIMIT 10;
