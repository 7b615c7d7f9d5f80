using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using StreamingWorkshop;

namespace Workshop.Tests.Query.Challenges;

/// <summary>
/// How the challenges of notebooks/09-challenges.ipynb are graded, on three simulated days: the starter queries in the
/// notebook never pass and get a hint, every solution in notebooks/solutions/ passes, the plausible mistakes in
/// wrong-answers.sql never pass, and answers written as literals from <see cref="ChallengeOracle"/> (computed from the
/// lake's lines, not by the query engine) are graded as the oracle says. Every check runs twice and must say the same.
/// </summary>
public sealed partial class ChallengeGradingTests(ChallengeDays days) : IClassFixture<ChallengeDays>
{
    public static TheoryData<int> DayIndexes => new(Enumerable.Range(0, ChallengeDays.Plans.Length));

    private static string RepositoryRoot
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
                if (File.Exists(Path.Combine(folder.FullName, "workshop.dib"))) return folder.FullName;
            throw new DirectoryNotFoundException("workshop.dib is not above the test assembly.");
        }
    }

    [GeneratedRegex("(?:challenge(?<n>\\d)\\s*=|CheckAsync\\((?<n>\\d),)\\s*\"{3}(?<sql>.*?)\"{3}", RegexOptions.Singleline)]
    private static partial Regex CheckedQuery();

    /// <summary>Every (challenge, SQL) in a notebook's code cells, read straight from the .ipynb's JSON.</summary>
    private static List<(int Challenge, string Sql)> QueriesIn(string notebook)
    {
        var cells = JsonNode.Parse(File.ReadAllText(notebook))!["cells"]!.AsArray();
        var code = cells.Where(c => c!["cell_type"]!.GetValue<string>() == "code")
            .Select(c => string.Concat(c!["source"]!.AsArray().Select(line => line!.GetValue<string>())));
        return code.SelectMany(source => CheckedQuery().Matches(source))
            .Select(m => (int.Parse(m.Groups["n"].Value), m.Groups["sql"].Value)).ToList();
    }

    private static IEnumerable<(int Challenge, string Mistake, string Hint, string Sql)> WrongAnswers()
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot, "tests", "Workshop.Tests", "Query", "Challenges", "wrong-answers.sql"));
        foreach (Match block in Regex.Matches(text, @"^-- challenge (?<n>\d): (?<mistake>.+)\n-- hint: (?<hint>.+)\n(?<sql>(?:.*\n)*?.*;)$", RegexOptions.Multiline))
            yield return (int.Parse(block.Groups["n"].Value), block.Groups["mistake"].Value, block.Groups["hint"].Value, block.Groups["sql"].Value.TrimEnd(';'));
    }

    /// <summary>Checks twice and insists on the same words both times, so a verdict cannot depend on row order.</summary>
    private static async Task<ChallengeVerdict> CheckTwice(ChallengeDay day, int challenge, string sql)
    {
        var first = await day.Session.CheckAsync(challenge, sql);
        var second = await day.Session.CheckAsync(challenge, sql);
        Assert.Equal(first.ToString(), second.ToString());
        return first;
    }

    private static Task<ChallengeVerdict> Check(ChallengeDay day, int challenge, string sql) => day.Session.CheckAsync(challenge, sql);

    [Fact]
    public void The_notebook_has_one_starter_and_the_solutions_one_answer_per_challenge()
    {
        Assert.Equal([1, 2, 3], QueriesIn(Path.Combine(RepositoryRoot, "notebooks", "09-challenges.ipynb")).Select(q => q.Challenge));
        var solutions = Directory.GetFiles(Path.Combine(RepositoryRoot, "notebooks", "solutions"), "*.ipynb").SelectMany(QueriesIn).ToList();
        Assert.Equal([1, 2, 3], solutions.Select(q => q.Challenge).Distinct().Order());
        Assert.All(Enumerable.Range(1, 3), n => Assert.True(WrongAnswers().Count(w => w.Challenge == n) >= 3, $"challenge {n} needs at least three wrong answers"));
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Starter_queries_are_not_yet_with_a_hint_about_what_to_return(int index)
    {
        var day = days.Days[index];
        var hints = new List<string>();
        foreach (var (challenge, sql) in QueriesIn(Path.Combine(RepositoryRoot, "notebooks", "09-challenges.ipynb")))
            hints.Add((await CheckTwice(day, challenge, sql)).ToString());

        Assert.Equal(
        [
            "Challenge 1 · Not yet: Put a city and its standard deviation of temperature in your first row.",
            "Challenge 2 · Not yet: Put an hour of the day (a number from 0 to 23) and its average temperature in your first row.",
            "Challenge 3 · Not yet: Return the city, the hour (a timestamp) and the rolling average in each row.",
        ], hints);
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Every_solution_is_correct(int index)
    {
        var day = days.Days[index];
        foreach (var file in Directory.GetFiles(Path.Combine(RepositoryRoot, "notebooks", "solutions"), "*.ipynb"))
            foreach (var (challenge, sql) in QueriesIn(file))
            {
                var verdict = await CheckTwice(day, challenge, sql);
                Assert.True(verdict.Correct, $"{day.Name}, {Path.GetFileName(file)}, challenge {challenge}: {verdict}");
                Assert.StartsWith($"Challenge {challenge} · Correct: ", verdict.ToString());
            }
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Every_plausible_mistake_is_not_yet_with_its_hint_and_without_the_answer(int index)
    {
        var day = days.Days[index];
        var oracle = day.Oracle;
        foreach (var (challenge, mistake, hint, sql) in WrongAnswers())
        {
            var verdict = await Check(day, challenge, sql);
            Assert.False(verdict.Correct, $"{day.Name}, challenge {challenge}, {mistake}: graded {verdict}");
            Assert.StartsWith($"Challenge {challenge} · Not yet: ", verdict.ToString());
            Assert.Contains(hint, verdict.Message);
            Assert.DoesNotContain(oracle.MostVariableCity, verdict.Message);
            Assert.DoesNotContain(ChallengeOracle.ThreeDecimals(oracle.Spread[oracle.MostVariableCity]), verdict.Message);
            Assert.DoesNotContain(ChallengeOracle.ThreeDecimals(oracle.HourOfDayAverage[oracle.WarmestHour]), verdict.Message);
        }
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Challenge_1_is_graded_as_the_oracle_says(int index)
    {
        var day = days.Days[index];
        var oracle = day.Oracle;
        string Answer(string city, double spread) => $"SELECT '{city}' AS city, {ChallengeOracle.ThreeDecimals(spread)} AS spread";

        Assert.True((await Check(day, 1, Answer(oracle.MostVariableCity, oracle.Spread[oracle.MostVariableCity]))).Correct);
        Assert.False((await Check(day, 1, Answer(oracle.MostVariableCity, oracle.SpreadCountingRepeats[oracle.MostVariableCity]))).Correct);
        Assert.False((await Check(day, 1, Answer(oracle.SecondMostVariableCity, oracle.Spread[oracle.SecondMostVariableCity]))).Correct);
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Challenge_2_is_graded_as_the_oracle_says_and_accepts_any_tied_hour(int index)
    {
        var day = days.Days[index];
        var oracle = day.Oracle;
        string Answer(int hour, double average) => $"SELECT {hour} AS hour_of_day, {ChallengeOracle.ThreeDecimals(average)} AS mean_temp";

        var highest = oracle.HourOfDayAverage.Values.Max();
        // Every hour tied for the highest average is accepted; the best of the rest is not.
        var ranked = oracle.HourOfDayAverage.OrderByDescending(h => h.Value).ToList();
        foreach (var (hour, average) in ranked.TakeWhile(h => h.Value >= highest - 1e-9))
            Assert.True((await Check(day, 2, Answer(hour, average))).Correct);
        var runnerUp = ranked.First(h => h.Value < highest - 1e-9);
        Assert.False((await Check(day, 2, Answer(runnerUp.Key, runnerUp.Value))).Correct);
        Assert.False((await Check(day, 2, Answer(oracle.WarmestHour, highest + 0.01))).Correct);
        Assert.False((await Check(day, 2, Answer(oracle.ColdestHour, highest))).Correct);
    }

    [Fact]
    public void One_of_the_days_has_two_hours_tied_for_the_warmest_average()
    {
        Assert.Contains(days.Days, day =>
        {
            var averages = day.Oracle.HourOfDayAverage.Values.OrderDescending().ToList();
            return averages[0] - averages[1] < 1e-9;
        });
    }

    [Theory]
    [MemberData(nameof(DayIndexes))]
    public async Task Challenge_3_is_graded_as_the_oracle_says(int index)
    {
        var day = days.Days[index];
        var oracle = day.Oracle;

        Assert.Equal(72, oracle.Rolling.Count);
        Assert.True((await Check(day, 3, oracle.RollingAsLiterals())).Correct);
        Assert.False((await Check(day, 3, oracle.RollingAsLiterals(v => v + 0.002))).Correct);
    }
}
