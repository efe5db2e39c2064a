namespace Challenges.Api.StepUp;

/// <summary>The step-up API's own error body for 401/403/405/429/500/503 (docs/contract.md §4).</summary>
public sealed record StepUpError(string Code, string Message);
