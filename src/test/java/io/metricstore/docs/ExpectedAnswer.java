package io.metricstore.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The answer an example shows in the comment lines under its command: {@code # 201 {"kind":"job",…}}. The status
 * comes first (200 when left out), then the body: JSON compared by shape ({@link JsonShape}), or text lines that the
 * answer must contain in that order ({@code …} within a line matches any text), or nothing ({@code # 204}, or
 * {@code # 409 …}) when only the status is checked.
 *
 * @param line the line of the file the answer starts on
 * @param status the status shown
 * @param shownBody the body as shown, for messages ({@code ""} when none)
 * @param json the parsed JSON shape when the body shown is JSON, else {@code null}
 * @param textLines the lines a text answer must contain, else empty
 */
record ExpectedAnswer(int line, int status, String shownBody, Object json, List<String> textLines) {

    private static final Pattern STATUS = Pattern.compile("([1-5][0-9][0-9])(?:\\s+(.*))?");

    /**
     * Reads an answer from its comment lines, each already stripped of {@code #} and one space.
     *
     * @throws IllegalArgumentException when the body starts like JSON but is not JSON
     */
    static ExpectedAnswer parse(int line, List<String> comments) {
        String first = comments.get(0).strip();
        int status = 200;
        Matcher statusShown = STATUS.matcher(first);
        if (statusShown.matches()) {
            status = Integer.parseInt(statusShown.group(1));
            first = statusShown.group(2) == null ? "" : statusShown.group(2);
        }
        List<String> bodyLines = new ArrayList<>();
        bodyLines.add(first);
        bodyLines.addAll(comments.subList(1, comments.size()));
        String body = String.join("\n", bodyLines).strip();
        if (body.isEmpty() || body.equals("…") || body.equals("...")) {
            return new ExpectedAnswer(line, status, body, null, List.of());
        }
        if (body.startsWith("{") || body.startsWith("[")) {
            return new ExpectedAnswer(line, status, body, JsonShape.parseShown(body), List.of());
        }
        List<String> textLines = bodyLines.stream().map(String::stripTrailing).filter(l -> !l.isBlank()).toList();
        return new ExpectedAnswer(line, status, body, null, textLines);
    }

    /** How the answer received differs from this one, or {@code null} when it is as shown. */
    String mismatch(int answeredStatus, String answeredBody) {
        if (answeredStatus != status) {
            return "status " + answeredStatus + ", shown " + status;
        }
        if (json != null) {
            Object answered;
            try {
                answered = JsonShape.parseAnswered(answeredBody);
            } catch (IllegalArgumentException notJson) {
                return "the answer is not JSON (" + notJson.getMessage() + ")";
            }
            return JsonShape.mismatch(json, answered);
        }
        List<String> answeredLines = answeredBody.lines().toList();
        int from = 0;
        for (String shown : textLines) {
            Pattern pattern = JsonShape.glob(shown);
            int found = -1;
            for (int i = from; i < answeredLines.size() && found < 0; i++) {
                if (pattern.matcher(answeredLines.get(i)).matches()) {
                    found = i;
                }
            }
            if (found < 0) {
                return "no line " + (from == 0 ? "" : "after line " + from + " ") + "of the answer is: " + shown;
            }
            from = found + 1;
        }
        return null;
    }

    /** The answer as the file shows it, on one line. */
    String shown() {
        return (status + " " + shownBody.replaceAll("\\s*\\n\\s*", " ")).strip();
    }
}
