namespace Challenges.Api.Http;

/// <summary>The one error body of the contract: <c>error</c> and <c>errorCode</c> carry the same code.</summary>
public sealed record ErrorResponse(string Error, string ErrorCode, string ErrorDescription)
{
    public static ErrorResponse Of(string code, string description) => new(code, code, description);
}
