namespace Challenges.Api.Http;

/// <summary>
/// An expected failure as a value: services return it, endpoints turn it into the contract's error body with
/// <see cref="ToResult"/>. <see cref="RetryAfterSeconds"/> becomes a <c>Retry-After</c> header.
/// </summary>
public sealed record ApiError(string Code, string Description, int? RetryAfterSeconds = null)
{
    public int Status => ErrorCodes.StatusOf(Code);

    public static ApiError Invalid(string description) => new(ErrorCodes.InvalidRequest, description);
    public static ApiError NotFound(string description) => new(ErrorCodes.NotFound, description);
    public static ApiError Conflict(string description) => new(ErrorCodes.Conflict, description);
    public static ApiError Forbidden(string description) => new(ErrorCodes.Forbidden, description);
    public static ApiError Unauthorized(string description) => new(ErrorCodes.Unauthorized, description);
    public static ApiError InvalidCredential(string description) => new(ErrorCodes.InvalidCredential, description);
    public static ApiError PayloadTooLarge(int limit) => new(ErrorCodes.PayloadTooLarge, $"The request body is larger than {limit} bytes.");
    public static ApiError TooManyRequests(int retryAfterSeconds) =>
        new(ErrorCodes.TooManyRequests, "The rate limit has been exceeded.", Math.Max(1, retryAfterSeconds));

    public ErrorResult ToResult() => new(this);
}

/// <summary>Writes an <see cref="ApiError"/> as the contract's error body with its status.</summary>
public sealed class ErrorResult(ApiError error) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<ErrorResponse>
{
    public ApiError Error { get; } = error;
    public int? StatusCode => Error.Status;
    public ErrorResponse Value => ErrorResponse.Of(Error.Code, Error.Description);
    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return ErrorWriter.WriteAsync(httpContext, Error);
    }
}
