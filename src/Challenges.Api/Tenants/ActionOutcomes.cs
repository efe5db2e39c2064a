namespace Challenges.Api.Tenants;

/// <summary>The configured outcome of tracking an action.</summary>
public static class ActionOutcomes
{
    public const string Challenge = "CHALLENGE";
    public const string Allow = "ALLOW";
    public const string Block = "BLOCK";

    public static readonly string[] All = [Challenge, Allow, Block];
}
