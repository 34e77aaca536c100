package io.metricstore.docs;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shell examples of one Markdown file: its fenced {@code ```shell} blocks (run) and {@code ```shell norun} blocks
 * (not run), and the answers shown under their commands. See {@link ReadmeExamplesIT} for the convention.
 */
final class MarkdownExamples {

    /** Info strings that look like shell but would leave it unclear whether the block runs. */
    private static final Set<String> OTHER_SHELLS =
            Set.of("bash", "sh", "zsh", "console", "shell-session", "sh-session", "terminal");

    /**
     * One fenced block.
     *
     * @param line the line of its opening fence
     * @param end the line of its closing fence
     * @param runs whether it is run ({@code shell}, not {@code shell norun})
     */
    record Block(int line, int end, boolean runs) {
    }

    private enum Previous { BLANK, CODE, ANSWER, PROSE }

    final String file;
    final List<String> lines;
    final List<Block> blocks = new ArrayList<>();
    /** Shown answers by the line they start on, in file order. */
    final Map<Integer, ExpectedAnswer> answers = new LinkedHashMap<>();
    /** What is wrong with the file's blocks as written (bad info string, unreadable answer, unclosed fence). */
    final List<String> problems = new ArrayList<>();

    private MarkdownExamples(String file, List<String> lines) {
        this.file = file;
        this.lines = lines;
    }

    static MarkdownExamples parse(String file, String text) {
        MarkdownExamples examples = new MarkdownExamples(file, text.lines().toList());
        examples.read();
        return examples;
    }

    List<Block> runnable() {
        return blocks.stream().filter(Block::runs).toList();
    }

    /** The block that holds {@code line}, if any. */
    Block blockAt(int line) {
        return blocks.stream().filter(b -> b.line() <= line && line <= b.end()).findFirst().orElse(null);
    }

    /**
     * The runnable blocks as one bash script with the file's line numbering: line n of the script is line n of the
     * file inside runnable blocks and blank elsewhere. An opening fence becomes {@code __block <line>}, the first
     * line of a shown answer {@code __answer <line>} (the rest of it blank), {@code localhost:8080} becomes
     * {@code localhost:<port>} and {@code localhost:9000} (the management interface) {@code localhost:<management>}.
     */
    String script(int port, int management) {
        StringBuilder script = new StringBuilder();
        int lineNumber = 0;
        Block block = null;
        for (String line : lines) {
            lineNumber++;
            if (block != null && lineNumber == block.end()) {
                block = null;
                script.append('\n');
                continue;
            }
            Block opening = blockStartingAt(lineNumber);
            if (opening != null) {
                block = opening.runs() ? opening : null;
                script.append(opening.runs() ? "__block " + lineNumber : "").append('\n');
                continue;
            }
            if (block == null) {
                script.append('\n');
            } else if (answers.containsKey(lineNumber)) {
                script.append("__answer ").append(lineNumber).append('\n');
            } else if (insideAnswer(lineNumber)) {
                script.append('\n');
            } else {
                script.append(line.replace("localhost:8080", "localhost:" + port)
                        .replace("localhost:9000", "localhost:" + management)).append('\n');
            }
        }
        return script.toString();
    }

    private Block blockStartingAt(int line) {
        return blocks.stream().filter(b -> b.line() == line).findFirst().orElse(null);
    }

    private boolean insideAnswer(int line) {
        for (Map.Entry<Integer, ExpectedAnswer> answer : answers.entrySet()) {
            int start = answer.getKey();
            if (start < line && line < start + answerLength.get(start)) {
                return true;
            }
        }
        return false;
    }

    /** How many comment lines each answer spans, by its first line. */
    private final Map<Integer, Integer> answerLength = new LinkedHashMap<>();

    private void read() {
        int i = 0;
        while (i < lines.size()) {
            String trimmed = lines.get(i).strip();
            if (!trimmed.startsWith("```")) {
                i++;
                continue;
            }
            int open = i + 1;
            String info = trimmed.substring(3).strip();
            int close = i + 1;
            while (close < lines.size() && !lines.get(close).strip().equals("```")) {
                close++;
            }
            if (close == lines.size()) {
                problems.add(file + ":" + open + ": the fence opened here is never closed");
                return;
            }
            Boolean runs = runs(open, info);
            blocks.add(new Block(open, close + 1, Boolean.TRUE.equals(runs)));
            if (Boolean.TRUE.equals(runs)) {
                readAnswers(open, close + 1);
            }
            i = close + 1;
        }
    }

    /** Whether a block with this info string runs; {@code null} for a block that is not a shell example. */
    private Boolean runs(int line, String info) {
        String[] words = info.isEmpty() ? new String[0] : info.split("\\s+");
        if (words.length == 0) {
            return null;
        }
        if (OTHER_SHELLS.contains(words[0])) {
            problems.add(file + ":" + line + ": fence ```" + info + ": write ```shell (run by ReadmeExamplesIT) or"
                    + " ```shell norun (not run)");
            return null;
        }
        if (!words[0].equals("shell")) {
            return null;
        }
        if (words.length == 1) {
            return true;
        }
        if (words.length == 2 && words[1].equals("norun")) {
            return false;
        }
        problems.add(file + ":" + line + ": fence ```" + info + ": the only flag is norun");
        return null;
    }

    /** Finds the answers shown in the block between the fences at {@code open} and {@code close}. */
    private void readAnswers(int open, int close) {
        Previous previous = Previous.BLANK;
        int answerStart = 0;
        List<String> answer = new ArrayList<>();
        for (int lineNumber = open + 1; lineNumber < close; lineNumber++) {
            String line = lines.get(lineNumber - 1);
            String trimmed = line.strip();
            boolean comment = trimmed.startsWith("#");
            if (comment && (previous == Previous.CODE || previous == Previous.ANSWER)) {
                if (previous == Previous.CODE) {
                    answerStart = lineNumber;
                    answer.clear();
                }
                answer.add(trimmed.startsWith("# ") ? trimmed.substring(2) : trimmed.substring(1));
                previous = Previous.ANSWER;
                continue;
            }
            if (previous == Previous.ANSWER) {
                addAnswer(answerStart, answer);
            }
            previous = trimmed.isEmpty() ? Previous.BLANK : comment ? Previous.PROSE : Previous.CODE;
        }
        if (previous == Previous.ANSWER) {
            addAnswer(answerStart, answer);
        }
    }

    private void addAnswer(int line, List<String> comments) {
        try {
            answers.put(line, ExpectedAnswer.parse(line, List.copyOf(comments)));
            answerLength.put(line, comments.size());
        } catch (IllegalArgumentException unreadable) {
            problems.add(file + ":" + line + ": the answer shown here is not JSON: " + unreadable.getMessage()
                    + " (a comment right under a command is its answer; separate prose with a blank line)");
        }
    }
}
