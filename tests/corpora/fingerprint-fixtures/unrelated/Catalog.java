package org.sample.library;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

public class Catalog {
    private final Map<String, Book> byIsbn = new HashMap<>();

    public void add(Book book) {
        if (byIsbn.containsKey(book.isbn())) {
            throw new IllegalArgumentException("duplicate isbn " + book.isbn());
        }
        byIsbn.put(book.isbn(), book);
    }

    public Optional<Book> find(String isbn) {
        return Optional.ofNullable(byIsbn.get(isbn));
    }

    public int countByAuthor(String author) {
        int n = 0;
        for (Book b : byIsbn.values()) {
            if (b.author().equalsIgnoreCase(author)) {
                n++;
            }
        }
        return n;
    }

    public boolean lend(String isbn, Member member) {
        Book book = byIsbn.get(isbn);
        if (book == null || book.isOnLoan() || member.loans() >= member.limit()) {
            return false;
        }
        book.setBorrower(member);
        member.addLoan(book);
        return true;
    }
}
