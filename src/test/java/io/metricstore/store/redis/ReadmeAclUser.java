package io.metricstore.store.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The service's Redis ACL user exactly as the README creates it: the one {@code ACL SETUSER} line of its code blocks,
 * read from {@code README.md} when the test runs, so that the documented line is the tested one. Only the password
 * placeholder is replaced.
 *
 * @param name the user the line creates
 * @param password a fresh password for this test run
 */
record ReadmeAclUser(String name, String password) {

    static final Path README = Path.of("README.md");
    static final String PLACEHOLDER = "<password>";

    /** The README's user with a random password. */
    static ReadmeAclUser generate() {
        return new ReadmeAclUser(command("")[2], UUID.randomUUID().toString());
    }

    /** The README's line as the words of the command, with this user's password. */
    String[] command() {
        return command(password);
    }

    /** Creates (or resets) the user on {@code node}, then keeps it across restarts with {@code CONFIG REWRITE}. */
    void createOn(RedisProcess node) {
        node.call(command());
        node.call("CONFIG", "REWRITE");
    }

    /** The words of the README's {@code ACL SETUSER} line, {@code <password>} replaced by {@code password}. */
    private static String[] command(String password) {
        List<String> found = new ArrayList<>();
        boolean fenced = false;
        try {
            for (String line : Files.readAllLines(README)) {
                String trimmed = line.strip();
                if (trimmed.startsWith("```")) {
                    fenced = !fenced;
                } else if (fenced && trimmed.startsWith("ACL SETUSER ")) {
                    found.add(trimmed);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (found.size() != 1) {
            throw new IllegalStateException(README + " must show exactly one ACL SETUSER line in a code block, found "
                    + found);
        }
        String[] words = found.get(0).split("\\s+");
        if (Arrays.stream(words).filter(word -> word.contains(PLACEHOLDER)).count() != 1) {
            throw new IllegalStateException("the README's ACL SETUSER line must name the password as >" + PLACEHOLDER
                    + " once: " + found.get(0));
        }
        return Arrays.stream(words).map(word -> word.replace(PLACEHOLDER, password)).toArray(String[]::new);
    }
}
