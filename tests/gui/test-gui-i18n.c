#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-sign-in-page.h"

static void
test_zh_cn_translates_code_and_templates (void)
{
  CrmSignInPage *page;
  GtkLabel *button_label;

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("The zh_CN.UTF-8 locale is not installed (Debian: locales-all)");
      return;
    }

  /* KEYLINE_LOCALEDIR names the build tree's po/ folder. */
  g_assert_nonnull (g_getenv ("KEYLINE_LOCALEDIR"));
  crm_application_setup_gettext ();

  g_assert_cmpstr (_("Customers"), ==, "客户");
  g_assert_cmpstr (_("The login or password is not right."), ==, "登录名或密码不正确。");
  g_assert_cmpstr (g_dngettext (GETTEXT_PACKAGE,
                                "Too many failed sign-ins. Try again in %u minute.",
                                "Too many failed sign-ins. Try again in %u minutes.",
                                14),
                   ==, "登录失败次数过多，请 %u 分钟后再试。");

  /* Templates are translated through the same text domain. */
  page = g_object_ref_sink (CRM_SIGN_IN_PAGE (crm_sign_in_page_new ()));
  button_label = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_SIGN_IN_PAGE, "button_label"));
  g_assert_cmpstr (gtk_label_get_label (button_label), ==, "登录");
  g_assert_finalize_object (page);

  setlocale (LC_ALL, "C.UTF-8");
}

int
main (int   argc,
      char *argv[])
{
  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* gettext prefers LANGUAGE to the locale. */
  g_setenv ("LANGUAGE", "zh_CN", TRUE);

  g_test_add_func ("/client/i18n/zh-cn/translates-code-and-templates", test_zh_cn_translates_code_and_templates);

  return g_test_run ();
}
