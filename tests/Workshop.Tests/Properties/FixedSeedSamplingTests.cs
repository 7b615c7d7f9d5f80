using CsCheck;

namespace Workshop.Tests.Properties;

public sealed class FixedSeedSamplingTests
{
    [Fact]
    public void The_same_seed_gives_the_same_inputs_and_a_failing_input_is_named()
    {
        var first = new List<string>();
        var second = new List<string>();
        Gen.String[0, 20].SampleFixed(first.Add, iter: 200);
        Gen.String[0, 20].SampleFixed(second.Add, iter: 200);
        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 150, "The inputs barely vary.");

        var failure = Assert.ThrowsAny<Exception>(() =>
            Gen.Int[0, 1_000].SampleFixed(n => Assert.True(n < 900), iter: 1_000));
        Assert.Contains("Property failed at iteration", failure.Message);
        Assert.Contains($"seed {FixedSeedSampling.Seed}", failure.Message);
    }
}
