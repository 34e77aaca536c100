package io.metricstore.docs;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The JSON an example shows, compared by shape with the JSON the service answered.
 *
 * <p>The shown JSON may contain {@code …} (or {@code ...}): as a value it matches any value; as an object member it
 * allows members that are not shown; as an array element it matches any number of elements; inside a string it
 * matches any text. A shown string that is an RFC 3339 timestamp matches any timestamp, since times differ on every
 * run. Everything else must be equal: numbers by value ({@code 1027} equals {@code 1027.0}), strings, booleans and
 * null exactly, objects key by key (no key missing, none extra unless {@code …} is a member), arrays element by
 * element.
 */
final class JsonShape {

    /** {@code …} where a value, member or element stands. */
    static final Object ELLIPSIS = new Object() {
        @Override
        public String toString() {
            return "…";
        }
    };

    /** JSON {@code null} (a map value of {@code null} would read as "absent"). */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON object; {@code open} when it shows {@code …} among its members. */
    record Obj(Map<String, Object> members, boolean open) {
    }

    /** A JSON array; its elements may include {@link #ELLIPSIS}. */
    record Arr(List<Object> elements) {
    }

    private static final Pattern TIMESTAMP =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:\\d\\d)");

    private JsonShape() {
    }

    /** Parses the JSON an example shows, {@code …} allowed. */
    static Object parseShown(String text) {
        return new Parser(text, true).document();
    }

    /** Parses the JSON the service answered. */
    static Object parseAnswered(String text) {
        return new Parser(text, false).document();
    }

    /** Where {@code answered} differs from {@code shown}, in words, or {@code null} when it has the shape shown. */
    static String mismatch(Object shown, Object answered) {
        return mismatch("$", shown, answered);
    }

    private static String mismatch(String path, Object shown, Object answered) {
        if (shown == ELLIPSIS) {
            return null;
        }
        if (shown instanceof Obj object) {
            if (!(answered instanceof Obj actual)) {
                return path + ": expected an object, got " + render(answered);
            }
            for (Map.Entry<String, Object> member : object.members().entrySet()) {
                String at = path + "." + member.getKey();
                if (!actual.members().containsKey(member.getKey())) {
                    return at + ": missing (keys answered: " + actual.members().keySet() + ")";
                }
                String difference = mismatch(at, member.getValue(), actual.members().get(member.getKey()));
                if (difference != null) {
                    return difference;
                }
            }
            if (!object.open()) {
                List<String> extra = actual.members().keySet().stream()
                        .filter(key -> !object.members().containsKey(key)).toList();
                if (!extra.isEmpty()) {
                    return path + ": answered keys that are not shown: " + extra
                            + " (show them, or write … among the keys)";
                }
            }
            return null;
        }
        if (shown instanceof Arr array) {
            if (!(answered instanceof Arr actual)) {
                return path + ": expected an array, got " + render(answered);
            }
            return arrayMismatch(path, array.elements(), actual.elements());
        }
        if (shown instanceof String text) {
            if (!(answered instanceof String actual)) {
                return path + ": expected a string " + render(shown) + ", got " + render(answered);
            }
            boolean matches = hasEllipsis(text) ? glob(text).matcher(actual).matches()
                    : TIMESTAMP.matcher(text).matches() ? TIMESTAMP.matcher(actual).matches()
                    : text.equals(actual);
            return matches ? null : path + ": expected " + render(shown) + ", got " + render(answered);
        }
        if (shown instanceof BigDecimal number) {
            boolean matches = answered instanceof BigDecimal actual && number.compareTo(actual) == 0;
            return matches ? null : path + ": expected " + render(shown) + ", got " + render(answered);
        }
        return shown.equals(answered) ? null : path + ": expected " + render(shown) + ", got " + render(answered);
    }

    private static String arrayMismatch(String path, List<Object> shown, List<Object> answered) {
        if (!shown.contains(ELLIPSIS)) {
            if (shown.size() != answered.size()) {
                return path + ": expected " + shown.size() + " elements, got " + answered.size() + ": "
                        + render(new Arr(answered));
            }
            for (int i = 0; i < shown.size(); i++) {
                String difference = mismatch(path + "[" + i + "]", shown.get(i), answered.get(i));
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        return elementsMatch(shown, 0, answered, 0) ? null
                : path + ": expected elements " + render(new Arr(shown)) + ", got " + render(new Arr(answered));
    }

    /** Whether shown[i..] matches answered[j..], {@code …} standing for any number of elements. */
    private static boolean elementsMatch(List<Object> shown, int i, List<Object> answered, int j) {
        if (i == shown.size()) {
            return j == answered.size();
        }
        if (shown.get(i) == ELLIPSIS) {
            for (int k = j; k <= answered.size(); k++) {
                if (elementsMatch(shown, i + 1, answered, k)) {
                    return true;
                }
            }
            return false;
        }
        return j < answered.size() && mismatch("$", shown.get(i), answered.get(j)) == null
                && elementsMatch(shown, i + 1, answered, j + 1);
    }

    static boolean hasEllipsis(String text) {
        return text.contains("…") || text.contains("...");
    }

    /** {@code text} as a pattern in which each {@code …} (or {@code ...}) matches any text. */
    static Pattern glob(String text) {
        String[] parts = text.replace("...", "…").split("…", -1);
        return Pattern.compile(java.util.Arrays.stream(parts).map(Pattern::quote).collect(Collectors.joining(".*")),
                Pattern.DOTALL);
    }

    /** Compact JSON, for messages. */
    static String render(Object value) {
        if (value instanceof Obj object) {
            List<String> members = new ArrayList<>();
            object.members().forEach((key, member) -> members.add(quote(key) + ":" + render(member)));
            if (object.open()) {
                members.add("…");
            }
            return "{" + String.join(",", members) + "}";
        }
        if (value instanceof Arr array) {
            return array.elements().stream().map(JsonShape::render).collect(Collectors.joining(",", "[", "]"));
        }
        if (value instanceof String text) {
            return quote(text);
        }
        if (value instanceof BigDecimal number) {
            return number.toString();
        }
        return String.valueOf(value);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }

    /** Recursive descent over RFC 8259 JSON, plus {@code …} where allowed. */
    private static final class Parser {

        private final String text;
        private final boolean ellipsisAllowed;
        private int at;

        Parser(String text, boolean ellipsisAllowed) {
            this.text = text;
            this.ellipsisAllowed = ellipsisAllowed;
        }

        Object document() {
            Object value = value();
            space();
            if (at != text.length()) {
                throw error("unexpected text after the JSON value");
            }
            return value;
        }

        private Object value() {
            space();
            if (ellipsis()) {
                return ELLIPSIS;
            }
            if (at >= text.length()) {
                throw error("a value is missing");
            }
            char c = text.charAt(at);
            if (c == '{') {
                return object();
            }
            if (c == '[') {
                return array();
            }
            if (c == '"') {
                return string();
            }
            if (c == '-' || (c >= '0' && c <= '9')) {
                return number();
            }
            if (text.startsWith("true", at)) {
                at += 4;
                return Boolean.TRUE;
            }
            if (text.startsWith("false", at)) {
                at += 5;
                return Boolean.FALSE;
            }
            if (text.startsWith("null", at)) {
                at += 4;
                return NULL;
            }
            throw error("not a JSON value");
        }

        private Obj object() {
            at++;
            Map<String, Object> members = new LinkedHashMap<>();
            boolean open = false;
            space();
            if (peek('}')) {
                at++;
                return new Obj(members, false);
            }
            while (true) {
                space();
                if (ellipsis()) {
                    open = true;
                } else {
                    if (!peek('"')) {
                        throw error("a member name in double quotes is missing");
                    }
                    String key = string();
                    space();
                    expect(':');
                    members.put(key, value());
                }
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect('}');
                    return new Obj(members, open);
                }
            }
        }

        private Arr array() {
            at++;
            List<Object> elements = new ArrayList<>();
            space();
            if (peek(']')) {
                at++;
                return new Arr(elements);
            }
            while (true) {
                elements.add(value());
                space();
                if (peek(',')) {
                    at++;
                } else {
                    expect(']');
                    return new Arr(elements);
                }
            }
        }

        private String string() {
            at++;
            StringBuilder out = new StringBuilder();
            while (at < text.length()) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                if (at >= text.length()) {
                    break;
                }
                char escaped = text.charAt(at++);
                switch (escaped) {
                    case '"', '\\', '/' -> out.append(escaped);
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        if (at + 4 > text.length()) {
                            throw error("a \\u escape is cut short");
                        }
                        out.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
                        at += 4;
                    }
                    default -> throw error("unknown escape \\" + escaped);
                }
            }
            throw error("a string is not closed");
        }

        private BigDecimal number() {
            int start = at;
            if (peek('-')) {
                at++;
            }
            while (at < text.length() && "0123456789.eE+-".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            try {
                return new BigDecimal(text.substring(start, at));
            } catch (NumberFormatException notANumber) {
                at = start;
                throw error("not a number");
            }
        }

        private boolean ellipsis() {
            if (!ellipsisAllowed) {
                return false;
            }
            if (text.startsWith("…", at)) {
                at += 1;
                return true;
            }
            if (text.startsWith("...", at)) {
                at += 3;
                return true;
            }
            return false;
        }

        private void space() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            return at < text.length() && text.charAt(at) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw error("'" + c + "' expected");
            }
            at++;
        }

        private IllegalArgumentException error(String what) {
            int from = Math.max(0, at - 30);
            int to = Math.min(text.length(), at + 30);
            return new IllegalArgumentException(what + " at character " + at + ": …" + text.substring(from, at)
                    + "⟨here⟩" + text.substring(at, to) + "…");
        }
    }
}
