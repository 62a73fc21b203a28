using System.Reflection;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Skein.Core.Users;
using Skein.Server.Auth;

namespace Skein.Server.Dashboard.Auth;

/// <summary>
/// Hides every form post the signed-in user's role may not make: the capability is the form's <c>requires</c>
/// attribute, or else the rendering page's <see cref="RequiresAttribute"/> (forms post to their own page), or
/// Admin. The <see cref="PageAccessFilter"/> refuses a forged post the same way.
/// </summary>
[HtmlTargetElement("form", Attributes = "[method=post]")]
public sealed class RoleFormTagHelper : TagHelper
{
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <summary>The capability the form's post needs, when it is not the page's.</summary>
    [HtmlAttributeName("requires")]
    public string? Requires { get; set; }

    public override int Order => -1000;

    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        var user = ViewContext.HttpContext.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            return;
        }

        var needed = (Enum.TryParse<Capability>(Requires, out var named) ? named : (Capability?)null)
            ?? (ViewContext.ActionDescriptor as CompiledPageActionDescriptor)
                ?.ModelTypeInfo?.GetCustomAttribute<RequiresAttribute>()
                ?.Capability
            ?? Capability.Administer;
        if (!SkeinUser.May(user, needed))
        {
            output.SuppressOutput();
        }
    }
}
