package io.metricstore.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The convention by which README examples show their answers (see {@link ReadmeExamplesIT}), without a service. */
class ExampleAnswersTest {

    private static String mismatch(String shown, String answered) {
        return JsonShape.mismatch(JsonShape.parseShown(shown), JsonShape.parseAnswered(answered));
    }

    @Test
    void valuesShownMustBeAnsweredAndNumbersCompareByValue() {
        assertThat(mismatch("{\"applied\":2,\"value\":1027}", "{\"value\":1027.0,\"applied\":2}")).isNull();
        assertThat(mismatch("{\"applied\":2}", "{\"applied\":3}")).isEqualTo("$.applied: expected 2, got 3");
        assertThat(mismatch("{\"value\":\"NaN\"}", "{\"value\":1}")).contains("expected a string \"NaN\"");
        assertThat(mismatch("{\"held\":true}", "{\"held\":false}")).contains("$.held");
    }

    @Test
    void keysMustMatchUnlessAnEllipsisStandsAmongThem() {
        assertThat(mismatch("{\"a\":1,\"b\":2}", "{\"a\":1}")).startsWith("$.b: missing");
        assertThat(mismatch("{\"a\":1}", "{\"a\":1,\"b\":2}")).contains("answered keys that are not shown: [b]");
        assertThat(mismatch("{\"a\":1,…}", "{\"a\":1,\"b\":2}")).isNull();
        assertThat(mismatch("{…,\"a\":1}", "{\"b\":2,\"a\":1}")).isNull();
        assertThat(mismatch("{\"a\":…}", "{\"a\":[1,2]}")).isNull();
    }

    @Test
    void anEllipsisInAStringMatchesAnyTextAndATimestampAnyTimestamp() {
        assertThat(mismatch("{\"cursor\":\"…\"}", "{\"cursor\":\"YjU0OTBj\"}")).isNull();
        assertThat(mismatch("{\"m\":\"is out of range; …\"}", "{\"m\":\"is out of range; send +Inf\"}")).isNull();
        assertThat(mismatch("{\"m\":\"is out of range; …\"}", "{\"m\":\"is fine\"}")).contains("$.m");
        assertThat(mismatch("{\"t\":\"2026-11-25T18:00:30Z\"}", "{\"t\":\"2031-01-02T03:04:05.678Z\"}")).isNull();
        assertThat(mismatch("{\"t\":\"2026-11-25T18:00:30Z\"}", "{\"t\":\"soon\"}")).contains("$.t");
        assertThat(mismatch("{\"cursor\":\"…\"}", "{\"cursor\":5}")).contains("expected a string");
    }

    @Test
    void arraysMatchElementByElementWithAnEllipsisForAnyNumber() {
        assertThat(mismatch("[{…},{…}]", "[{\"a\":1},{\"b\":2}]")).isNull();
        assertThat(mismatch("[{…}]", "[{\"a\":1},{\"b\":2}]")).contains("expected 1 elements, got 2");
        assertThat(mismatch("[1,…]", "[1,2,3]")).isNull();
        assertThat(mismatch("[…,3]", "[1,2,3]")).isNull();
        assertThat(mismatch("[…,4]", "[1,2,3]")).contains("expected elements […,4]");
        assertThat(mismatch("[…]", "[]")).isNull();
        assertThat(mismatch("[{\"id\":\"a\"},{\"id\":\"b\"}]", "[{\"id\":\"b\"},{\"id\":\"a\"}]"))
                .isEqualTo("$[0].id: expected \"a\", got \"b\"");
    }

    @Test
    void threeDotsMayStandForTheEllipsisAndEscapesAreRead() {
        assertThat(mismatch("{\"a\":\"x...\",...}", "{\"a\":\"xyz\",\"b\":null}")).isNull();
        assertThat(mismatch("{\"id\":\"up{job=\\\"n\\\"}\"}", "{\"id\":\"up{job=\\\"n\\\"}\"}")).isNull();
        assertThatThrownBy(() -> JsonShape.parseAnswered("{\"a\":…}")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonShape.parseShown("{\"a\":1")).hasMessageContaining("'}' expected");
    }

    @Test
    void anAnswerIsAStatusThenJsonTextOrNothing() {
        ExpectedAnswer created = ExpectedAnswer.parse(10, List.of("201 {\"fence\":1,", "  …}"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.mismatch(201, "{\"fence\":1,\"token\":\"t\"}")).isNull();
        assertThat(created.mismatch(409, "{\"fence\":1}")).isEqualTo("status 409, shown 201");

        ExpectedAnswer ok = ExpectedAnswer.parse(10, List.of("{\"cursor\":\"…\"}"));
        assertThat(ok.status()).isEqualTo(200);

        ExpectedAnswer noContent = ExpectedAnswer.parse(10, List.of("204"));
        assertThat(noContent.mismatch(204, "")).isNull();
        assertThat(ExpectedAnswer.parse(10, List.of("409 …")).mismatch(409, "{\"x\":1}")).isNull();

        ExpectedAnswer text = ExpectedAnswer.parse(10, List.of("a_total 1", "b 2 …"));
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.mismatch(200, "# TYPE a_total untyped\na_total 1\n# TYPE b untyped\nb 2 1700000000000\n"))
                .isNull();
        assertThat(text.mismatch(200, "b 2 17\na_total 1\n")).contains("b 2 …");
    }

    @Test
    void commentsRightUnderACommandAreItsAnswerAndOthersAreProse() {
        String markdown = String.join("\n",
                "# Title",
                "```shell",
                "# prose above a command",
                "x=$(curl -s localhost:8080/a \\",
                "  | jq -r .x)   # prose at the end of a line",
                "# 201 {\"a\":1,",
                "#      \"b\":2}",
                "",
                "# prose after a blank line",
                "curl -s localhost:8080/b",
                "```",
                "",
                "```shell norun",
                "./mvnw quarkus:dev",
                "# not an answer: this block does not run",
                "```",
                "```properties",
                "a=b",
                "```");
        MarkdownExamples examples = MarkdownExamples.parse("X.md", markdown);
        assertThat(examples.problems).isEmpty();
        assertThat(examples.blocks).extracting(MarkdownExamples.Block::line).containsExactly(2, 13, 17);
        assertThat(examples.runnable()).extracting(MarkdownExamples.Block::line).containsExactly(2);
        assertThat(examples.answers.keySet()).containsExactly(6);
        assertThat(examples.answers.get(6).status()).isEqualTo(201);

        List<String> script = examples.script(4321, 4322).lines().toList();
        assertThat(script).hasSize(markdown.lines().toList().size());
        assertThat(script.get(1)).isEqualTo("__block 2");
        assertThat(script.get(3)).isEqualTo("x=$(curl -s localhost:4321/a \\");
        assertThat(script.get(5)).isEqualTo("__answer 6");
        assertThat(script.get(6)).isEmpty();
        assertThat(script.get(9)).isEqualTo("curl -s localhost:4321/b");
        assertThat(script.subList(10, script.size())).allMatch(String::isEmpty);
    }

    @Test
    void unclearFencesAndUnreadableAnswersAreRefused() {
        MarkdownExamples examples = MarkdownExamples.parse("X.md", String.join("\n",
                "```bash", "echo", "```",
                "```shell run", "echo", "```",
                "```shell", "curl -s localhost:8080/", "# {\"a\":", "```",
                "```shell", "echo"));
        assertThat(examples.problems).hasSize(4);
        assertThat(examples.problems.get(0)).startsWith("X.md:1: fence ```bash");
        assertThat(examples.problems.get(1)).startsWith("X.md:4: fence ```shell run");
        assertThat(examples.problems.get(2)).startsWith("X.md:9: the answer shown here is not JSON");
        assertThat(examples.problems.get(3)).startsWith("X.md:11: the fence opened here is never closed");
    }
}
