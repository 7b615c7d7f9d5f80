using StreamingWorkshop.Errors;

namespace StreamingWorkshop.Lake;

/// <summary>
/// S3 lifecycle arithmetic: an action happens at the first midnight UTC on or after last-modified + N days
/// (S3 adds the days to the object's creation time and rounds up to the next midnight UTC).
/// </summary>
public static class LifecycleRules
{
    public static void Validate(LifecycleRule rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Id) || rule.Id.Length > 255)
            throw new S3Exception("InvalidArgument", $"Lifecycle rule ID '{rule.Id}' must be 1 to 255 characters.");
        foreach (var transition in rule.Transitions)
        {
            if (transition.Days < 0)
                throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': 'Days' in the Transition action must be zero or more, not {transition.Days}.");
            if (transition.StorageClass is not (StorageClasses.StandardIA or StorageClasses.Glacier))
                throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': storage class '{transition.StorageClass}' is not one the local lake models; use STANDARD_IA or GLACIER.");
            if (transition.StorageClass == StorageClasses.StandardIA && transition.Days < 30)
                throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': 'Days' in Transition action must be greater than or equal to 30 for storageClass 'STANDARD_IA' (was {transition.Days}).");
        }
        var ia = rule.Transitions.FirstOrDefault(t => t.StorageClass == StorageClasses.StandardIA);
        var glacier = rule.Transitions.FirstOrDefault(t => t.StorageClass == StorageClasses.Glacier);
        if (ia is not null && glacier is not null && glacier.Days - ia.Days < 30)
            throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': objects must stay in STANDARD_IA for at least 30 days before moving to GLACIER (IA at {ia.Days} days, GLACIER at {glacier.Days}).");
        if (rule.ExpirationDays is { } expiration)
        {
            if (expiration < 1)
                throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': 'Days' for Expiration action must be a positive integer, not {expiration}.");
            if (rule.Transitions.Any(t => t.Days >= expiration))
                throw new S3Exception("InvalidArgument", $"Rule '{rule.Id}': 'Days' in the Expiration action ({expiration}) must be greater than 'Days' in every Transition action.");
        }
        if (rule.Transitions.Count == 0 && rule.ExpirationDays is null)
            throw new S3Exception("MalformedXML", $"Rule '{rule.Id}' has no action: give at least one Transition or an Expiration.");
    }

    /// <summary>When an action N days after <paramref name="lastModified"/> takes effect.</summary>
    public static DateTimeOffset EffectiveAt(DateTimeOffset lastModified, int days)
    {
        var due = lastModified.ToUniversalTime().AddDays(days);
        return due.TimeOfDay == TimeSpan.Zero ? due : new DateTimeOffset(due.UtcDateTime.Date.AddDays(1), TimeSpan.Zero);
    }

    /// <summary>Checks a whole configuration as PutBucketLifecycleConfiguration does: the minimum-size setting, each rule, unique rule IDs.</summary>
    public static void Validate(BucketLifecycle lifecycle)
    {
        if (!TransitionMinimumSizes.All.Contains(lifecycle.TransitionDefaultMinimumObjectSize, StringComparer.Ordinal))
            throw new S3Exception("InvalidArgument", $"TransitionDefaultMinimumObjectSize '{lifecycle.TransitionDefaultMinimumObjectSize}' is not valid; use {string.Join(" or ", TransitionMinimumSizes.All)}.");
        foreach (var rule in lifecycle.Rules) Validate(rule);
        if (lifecycle.Rules.Select(r => r.Id).Distinct(StringComparer.Ordinal).Count() != lifecycle.Rules.Count)
            throw new S3Exception("InvalidArgument", "Rule ID must be unique. Found the same ID for more than one rule.");
    }

    /// <summary>
    /// Whether a transition may move an object of <paramref name="size"/> bytes. Under S3's default an object under
    /// 128 KB is never transitioned; with varies_by_storage_class it may go to GLACIER, but not to STANDARD_IA.
    /// </summary>
    public static bool MayTransition(string transitionDefaultMinimumObjectSize, string storageClass, long size) =>
        size >= TransitionMinimumSizes.MinimumObjectBytes
        || (transitionDefaultMinimumObjectSize == TransitionMinimumSizes.VariesByStorageClass && storageClass == StorageClasses.Glacier);

    public static string StorageClassAt(BucketLifecycle lifecycle, string key, long size, DateTimeOffset lastModified, DateTimeOffset now)
    {
        var current = StorageClasses.Standard;
        var latest = DateTimeOffset.MinValue;
        foreach (var rule in lifecycle.Rules)
        {
            if (!rule.Enabled || !key.StartsWith(rule.Prefix, StringComparison.Ordinal)) continue;
            foreach (var transition in rule.Transitions)
            {
                if (!MayTransition(lifecycle.TransitionDefaultMinimumObjectSize, transition.StorageClass, size)) continue;
                var at = EffectiveAt(lastModified, transition.Days);
                if (at <= now && at >= latest)
                {
                    latest = at;
                    current = transition.StorageClass;
                }
            }
        }
        return current;
    }

    public static bool IsExpired(IEnumerable<LifecycleRule> rules, string key, DateTimeOffset lastModified, DateTimeOffset now) =>
        rules.Any(rule => rule.Enabled && key.StartsWith(rule.Prefix, StringComparison.Ordinal)
                          && rule.ExpirationDays is { } days && EffectiveAt(lastModified, days) <= now);
}
