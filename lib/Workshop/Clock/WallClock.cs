namespace StreamingWorkshop.Clock;

/// <summary>
/// Real time, as <see cref="TimeProvider.System"/> keeps it: the clock the AWS backend runs on. In a notebook it shows
/// the time now rather than an object tree.
/// </summary>
public sealed class WallClock : TimeProvider, Display.IHtmlDisplay
{
    public static WallClock Instance { get; } = new();

    private WallClock()
    {
    }

    public override string ToString() => $"{GetUtcNow():yyyy-MM-dd HH:mm:ss} UTC (real time)";

    public string ToHtml() => $"<div style=\"{Display.HtmlTable.Style}\">🕒 Wall clock: {Display.HtmlTable.Encode(ToString())}</div>";

    public string ToText() => $"Wall clock: {this}";
}
