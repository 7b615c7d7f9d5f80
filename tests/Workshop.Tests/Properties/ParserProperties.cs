using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using StreamingWorkshop.Catalog;
using StreamingWorkshop.Clock;
using StreamingWorkshop.Delivery;
using StreamingWorkshop.Errors;
using StreamingWorkshop.Notebooks;
using StreamingWorkshop.Query;
using StreamingWorkshop.Stack;

namespace Workshop.Tests.Properties;

/// <summary>
/// Random text, and random mutations of valid text, fed to each parser the kit exposes to a learner's input. Each
/// parser may refuse input only with its documented error, whose message is the one line a learner sees:
/// the JQ subset and prefix templates raise InvalidArgumentException (a ServiceException, as Firehose does);
/// schedule expressions raise FormatException; the Athena translator raises AthenaQueryException; the template
/// reader and evaluator raise a ServiceException (CloudFormation's ValidationError); the notebook readers raise
/// FormatException. Anything else (NullReference, InvalidCast, IndexOutOfRange, JsonException, a stack overflow)
/// is a bug the property shows with the smallest input CsCheck finds.
/// </summary>
public sealed class ParserProperties
{
    private const int Iterations = 5_000;

    /// <summary>Text made of the pieces a parser's grammar uses, so random input reaches past its first check.</summary>
    private static Gen<string> Pieces(params string[] pieces) => Gen.OneOf(pieces).Array[0, 24].Select(p => string.Concat(p));

    /// <summary>A valid input with a few random characters inserted, deleted or replaced.</summary>
    private static Gen<string> Mutations(params string[] valid) =>
        Gen.Select(Gen.OneOf(valid), Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 2], Gen.Char).Array[1, 6])
            .Select(pair => Mutate(pair.Item1, pair.Item2));

    private static string Mutate(string text, (int Position, int Operation, char Character)[] edits)
    {
        var builder = new StringBuilder(text);
        foreach (var (position, operation, character) in edits)
        {
            var at = builder.Length == 0 ? 0 : position % (builder.Length + (operation == 0 ? 1 : 0));
            switch (operation)
            {
                case 0: builder.Insert(at, character); break;
                case 1 when builder.Length > 0: builder.Remove(at, 1); break;
                case 2 when builder.Length > 0: builder[at] = character; break;
            }
        }
        return builder.ToString();
    }

    private static Gen<string> AnyText(Gen<string> pieces, Gen<string> mutations) => Gen.Frequency((3, pieces), (3, mutations), (1, Gen.String[0, 60]));

    private static void RefusesOnlyWith<TDocumented>(Action parse) where TDocumented : Exception
    {
        try
        {
            parse();
        }
        catch (Exception error) when (error is TDocumented)
        {
            Assert.False(string.IsNullOrWhiteSpace(error.Message), "The documented error has no message.");
        }
    }

    [Fact]
    public void The_jq_subset_refuses_bad_queries_only_with_InvalidArgumentException_and_evaluates_any_record()
    {
        var queries = AnyText(
            Pieces("{", "}", "city", "key", ":", ".", ".city", ".a.b", ",", " ", "\"", "[", "]", "|", "$", "-", "_", "0"),
            Mutations("{city: .city}", "{city: .location.city, day: .date}", "{a:.a,b:.b.c}"));
        var records = Gen.Frequency((2, Pieces("{", "}", "\"city\"", ":", "\"London\"", ",", "[", "]", "null", "1", "{\"a\":", "\"b\"", "\\u0000", "\"")),
            (1, Gen.String[0, 40]));
        Gen.Select(queries, records).SampleFixed(pair =>
        {
            MetadataExtractionQuery? query = null;
            RefusesOnlyWith<InvalidArgumentException>(() => query = MetadataExtractionQuery.Parse(pair.Item1));
            if (query is null) return;
            var evaluated = query.TryEvaluate(Encoding.UTF8.GetBytes(pair.Item2), out var values, out var failure);
            Assert.True(evaluated ? values.Count == query.KeyNames.Count : !string.IsNullOrWhiteSpace(failure));
        }, iter: Iterations);
    }

    [Fact]
    public void Top_level_keys_read_in_one_pass_agree_with_the_parsed_document_on_any_record()
    {
        var queries = Gen.OneOf("{city: .city}", "{location: .city}", "{a: .a, b: .b}", "{a: .city, b: .city}", "{\"the city\": .\"c d\"}");
        var records = Gen.Frequency(
            (3, Pieces("{", "}", "\"city\"", "\"a\"", "\"b\"", "\"c d\"", "\"ci\\u0074y\"", ":", "\"London\"", "\"\"", ",", "[", "]", "null", "true", "1.50", "-2e3", "{\"a\":", "\"b\"", "\\u0000", "\"", " ")),
            (1, Gen.String[0, 40]));
        Gen.Select(queries, records).SampleFixed(pair =>
        {
            var query = MetadataExtractionQuery.Parse(pair.Item1);
            var bytes = Encoding.UTF8.GetBytes(pair.Item2);
            var fast = query.TryEvaluate(bytes, out var values, out var failure);
            var document = query.TryEvaluateWithDocument(bytes, out var expectedValues, out var expectedFailure);
            Assert.Equal(document, fast);
            Assert.Equal(expectedFailure, failure);
            if (fast) Assert.Equal(expectedValues.OrderBy(v => v.Key, StringComparer.Ordinal), values.OrderBy(v => v.Key, StringComparer.Ordinal));
        }, iter: Iterations);
    }

    [Fact]
    public void Prefix_templates_refuse_bad_prefixes_only_with_InvalidArgumentException()
    {
        var prefixes = AnyText(
            Pieces("!{", "}", "partitionKeyFromQuery", "partitionKeyFromLambda", "timestamp", "firehose", ":", "city", "yyyy", "MM", "dd", "HH", "x", "/", "=", "error-output-type", "random-string", "!", "{", "$"),
            Mutations("weather-data/location=!{partitionKeyFromQuery:city}/", "!{timestamp:yyyy/MM/dd/HH/}", "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/"));
        prefixes.SampleFixed(text =>
        {
            PrefixTemplate? template = null;
            RefusesOnlyWith<InvalidArgumentException>(() => template = PrefixTemplate.Parse(text));
            if (template is null) return;
            var keys = template.PartitionKeys.ToDictionary(k => k, _ => "London");
            var rendered = template.Render(keys, new DateTimeOffset(2025, 1, 14, 9, 30, 0, TimeSpan.Zero), "processing-failed", "abc123");
            Assert.DoesNotContain("!{", rendered, StringComparison.Ordinal);
        }, iter: Iterations);
    }

    [Fact]
    public void Schedule_expressions_refuse_bad_text_only_with_FormatException_and_a_parsed_one_finds_its_next_time()
    {
        var expressions = AnyText(
            Pieces("rate(", "cron(", ")", " ", "1", "5", "0", "59", "60", "-1", "*", "?", "/", ",", "-", "L", "W", "#", "MON", "JAN", "minute", "minutes", "hour", "days", "2147483648"),
            Mutations("rate(1 minute)", "rate(5 minutes)", "cron(0 12 * * ? *)", "cron(0/15 9-17 ? * MON-FRI *)", "cron(0 0 L * ? 2025)", "cron(0 8 ? * 2#1 *)"));
        expressions.SampleFixed(text =>
        {
            var parsed = ScheduleExpression.TryParse(text, out var schedule, out var error);
            Assert.True(parsed ? schedule is not null : !string.IsNullOrWhiteSpace(error));
            RefusesOnlyWith<FormatException>(() => ScheduleExpression.Parse(text));
            if (schedule?.NextAfter(new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)) is { } next)
                Assert.True(next > new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero));
        }, iter: Iterations);
    }

    [Fact]
    public void The_athena_translator_refuses_sql_only_with_AthenaQueryException()
    {
        var statements = AnyText(
            Pieces("SELECT ", "FROM ", "WHERE ", "city", "(", ")", ",", "'", "\"", "''", "--", "/*", "*/", "\n", ";", ".", "date_format", "now", "current_timestamp",
                "read_csv", "main.", "\"glob\"", "date_parse", "'%Y-%m-%d'", "CAST", "AS", "timestamp", "1", "*", "U&", "$$", "E'", "\\"),
            Mutations("SELECT city, date_format(ts, '%Y-%m-%d') FROM raw_weather_data WHERE ts > now() - interval '1' day",
                "SELECT * FROM \"read_csv\"('/etc/passwd')", "WITH a AS (SELECT 1) SELECT * FROM a /* c */ -- d"));
        statements.SampleFixed(sql =>
        {
            var tokens = AthenaSql.Tokenize(sql);
            Assert.Equal(sql, string.Concat(tokens.Select(t => t.Text)));
            RefusesOnlyWith<AthenaQueryException>(() => AthenaSql.Translate(sql, new DateTimeOffset(2025, 1, 14, 0, 0, 0, TimeSpan.Zero)));
        }, iter: Iterations);
    }

    [Fact]
    public void The_template_reader_refuses_bad_templates_only_with_a_ServiceException()
    {
        var workshop = TemplateReader.WorkshopTemplate();
        var templates = Gen.Frequency(
            (3, Pieces("Resources:", "\n", "  ", "B:", "Type:", " AWS::S3::Bucket", " !Ref", " !Sub", " !GetAtt", " &a", " *a", " <<: *a", "[", "]", "{", "}", "-", "'", "\"", ":", "#", "|", ">", "\t", "!!binary", "%YAML 1.2", "---", "...")),
            (3, Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 2], Gen.Char).Array[1, 6].Select(edits => Mutate(workshop, edits))),
            (1, Gen.String[0, 60]));
        templates.SampleFixed(text => RefusesOnlyWith<ServiceException>(() => TemplateReader.Parse(text)), iter: 600);
    }

    private static Gen<JsonNode?> Intrinsic(int depth)
    {
        var leaf = Gen.OneOf<JsonNode?>(
            Gen.OneOf("P", "AWS::Region", "AWS::NoValue", "Bucket", "Nowhere", "", "0", "1", "-1", "x,y", "${P}", "${Bucket.Arn}", "${Nowhere}", "${", "true", "2147483648")
                .Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Int[-3, 5].Select(i => (JsonNode?)JsonValue.Create(i)),
            Gen.Const((JsonNode?)null));
        if (depth == 0) return leaf;
        var child = Intrinsic(depth - 1);
        var functions = Gen.OneOf("Ref", "Condition", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Fn::FindInMap", "Fn::Base64", "Fn::Bogus");
        var list = child.Array[0, 4].Select(items => (JsonNode?)new JsonArray(items.Select(i => i?.DeepClone()).ToArray()));
        var call = Gen.Select(functions, Gen.Frequency(new (int, IGen<JsonNode?>)[] { (3, list), (1, child) }))
            .Select(pair => (JsonNode?)new JsonObject { [pair.Item1] = pair.Item2?.DeepClone() });
        return Gen.Frequency(new (int, IGen<JsonNode?>)[] { (2, leaf), (3, call), (1, list) });
    }

    [Fact]
    public void The_template_evaluator_refuses_bad_intrinsics_only_with_a_ServiceException()
    {
        var template = (JsonObject)JsonNode.Parse("""
            {"Conditions": {"IsDev": {"Fn::Equals": [{"Ref": "P"}, "dev"]}, "Loop": {"Condition": "Loop"}},
             "Mappings": {"M": {"a": {"b": "c"}}},
             "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
            """)!;
        var parameters = new Dictionary<string, JsonNode> { ["P"] = JsonValue.Create("dev") };
        var pseudo = new Dictionary<string, string> { ["AWS::Region"] = "eu-west-2", ["AWS::AccountId"] = "123456789012" };
        Intrinsic(3).SampleFixed(node =>
        {
            var evaluator = new TemplateEvaluator(template, parameters, pseudo,
                name => name == "Bucket" ? new ResourceValues("bucket-name", new Dictionary<string, string> { ["Arn"] = "arn:aws:s3:::bucket-name" }) : null);
            RefusesOnlyWith<ServiceException>(() => evaluator.Evaluate(node?.DeepClone()));
        }, iter: Iterations, print: node => node?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Partition_expressions_refuse_bad_text_only_with_InvalidInputException_and_a_parsed_one_judges_any_partition()
    {
        var table = new GlueTable
        {
            Name = "raw_weather_data", DatabaseName = "weather_db", Location = "s3://lake/raw/",
            PartitionKeys = [new GlueColumn("location", "string"), new GlueColumn("hour", "int")],
        };
        var expressions = AnyText(
            Pieces("location", "hour", "`hour`", "\"location\"", " ", "=", "<", ">", "!", "<>", "(", ")", ",", "'London'", "'O''Hare'", "'", "9", "-", "1.5e3",
                "AND", "OR", "NOT", "IN", "BETWEEN", "LIKE", "'L%'", "'_'", "IS", "NULL", "--", "nope"),
            Mutations("location = 'London' AND hour >= 9", "location IN ('London', 'Paris') OR NOT (hour BETWEEN 1 AND 5)", "location LIKE 'L_n%'", "hour IS NOT NULL"));
        var values = Gen.Select(Gen.OneOf("London", "O'Hare", "", "9"), Gen.OneOf("9", "10", "x", "-1", "1e400")).Select(pair => (IReadOnlyList<string>)[pair.Item1, pair.Item2]);
        Gen.Select(expressions, values).SampleFixed(pair =>
        {
            PartitionExpression? expression = null;
            RefusesOnlyWith<InvalidInputException>(() => expression = PartitionExpression.Parse(pair.Item1, table));
            expression?.Admits(pair.Item2);
        }, iter: Iterations);
    }

    [Fact]
    public void Table_name_patterns_refuse_bad_text_only_with_InvalidInputException()
    {
        var patterns = AnyText(Pieces("raw", "*", ".", "|", "(", ")", "[", "]", "\\", "?", "+", "{2}", "^", "$", "(?=", "\\1", "_"), Mutations("raw*", ".*weather.*", "a|b"));
        patterns.SampleFixed(text =>
        {
            Func<string, bool>? matches = null;
            RefusesOnlyWith<InvalidInputException>(() => matches = TableNamePattern.Parse(text));
            matches?.Invoke("raw_weather_data");
        }, iter: Iterations);
    }

    private const string ValidIpynb = """
        {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "streaming-workshop-csharp", "display_name": "C#", "language": "csharp"}},
         "cells": [{"cell_type": "markdown", "id": "a1", "metadata": {}, "source": ["# Title\n", "text"]},
                   {"cell_type": "code", "id": "b2", "metadata": {}, "execution_count": 1, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}], "source": "1 + 1"}]}
        """;

    private const string ValidDib = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"name\":\"csharp\"}]}}\n\n#!markdown\n\n# Title\n\n#!csharp\n\n1 + 1\n";

    [Fact]
    public void The_ipynb_reader_refuses_bad_notebooks_only_with_FormatException()
    {
        var notebooks = AnyText(
            Pieces("{", "}", "[", "]", ",", ":", "\"nbformat\"", "4", "3", "\"cells\"", "null", "\"cell_type\"", "\"code\"", "\"sql\"", "\"source\"", "\"x\"", "\"metadata\"", "{}", "\"outputs\"", "12", "true"),
            Mutations(ValidIpynb));
        notebooks.SampleFixed(json => RefusesOnlyWith<FormatException>(() => Ipynb.Parse(json)), iter: Iterations);
    }

    [Fact]
    public void The_dib_reader_refuses_bad_notebooks_only_with_FormatException()
    {
        var notebooks = AnyText(
            Pieces("#!meta", "#!csharp", "#!markdown", "#!time", "\n", "\n\n", "{", "}", "[", "]", "\"kernelInfo\"", ":", "5", "\"items\"", "1 + 1", "\r\n", "#!"),
            Mutations(ValidDib));
        notebooks.SampleFixed(text => RefusesOnlyWith<FormatException>(() => Dib.Parse(text)), iter: Iterations);
    }
}
