using Challenges.Api.Http;

namespace Challenges.Api.StepUp;

/// <summary>
/// The step-up API's own error bodies (docs/contract.md §4), built in one place and put on its routes as their
/// <see cref="IErrorBodyFormat"/>: <c>{ code, message }</c>, <c>{ message, syntaxErrors }</c> for a request that cannot
/// be read, and <c>{ errorCode }</c> for a refused start (409), whose reason code travels as the error's description.
/// </summary>
public sealed class StepUpErrors : IErrorBodyFormat
{
    public static StepUpErrors Format { get; } = new();

    /// <summary>A refused start: 409 with one of <see cref="StepUpErrorCodes"/>.</summary>
    public static ApiError Refused(string errorCode) => ApiError.Conflict(errorCode);

    public object BodyOf(ApiError failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        return failure.Code switch
        {
            ErrorCodes.Conflict => new StepUpConflict(failure.Description),
            ErrorCodes.InvalidRequest => new StepUpSyntaxError(failure.Description, new StepUpSyntaxErrors([])),
            _ => new StepUpError(failure.Code, failure.Description),
        };
    }
}
