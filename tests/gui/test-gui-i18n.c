#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "crm-application.h"
#include "crm-customers-page.h"
#include "crm-format.h"
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

static void
test_zh_cn_translates_the_customers_page (void)
{
  CrmCustomersPage *page;
  AdwStatusPage *progress;
  g_autofree char *count = NULL;
  g_autofree char *synced = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) before = g_date_time_add_minutes (now, -2);

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("The zh_CN.UTF-8 locale is not installed (Debian: locales-all)");
      return;
    }
  crm_application_setup_gettext ();

  /* Plural forms, words of the vocabularies, the header's status. */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s customer", "%s customers", 150), "150");
  g_assert_cmpstr (count, ==, "150 位客户");
  synced = crm_format_synced (before, now);
  g_assert_cmpstr (synced, ==, "同步于 2 分钟前");
  g_assert_cmpstr (crm_tier_label (CRM_TIER_KEY), ==, "重点");
  g_assert_cmpstr (crm_customer_status_label (CRM_CUSTOMER_STATUS_ACTIVE), ==, "在网");
  g_assert_cmpstr (crm_industry_label_for ("finance"), ==, "金融");
  g_assert_cmpstr (_("Offline — working on the local copy"), ==, "离线 — 正在使用本地副本");
  g_assert_cmpstr (_("Enter a mobile number of 11 digits starting with 1"), ==, "请输入以 1 开头的 11 位手机号码");

  page = g_object_ref_sink (CRM_CUSTOMERS_PAGE (crm_customers_page_new ()));
  progress = ADW_STATUS_PAGE (gtk_widget_get_template_child (GTK_WIDGET (page), CRM_TYPE_CUSTOMERS_PAGE, "progress_page"));
  g_assert_cmpstr (adw_status_page_get_title (progress), ==, "正在获取您的客户");
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
  g_test_add_func ("/client/i18n/zh-cn/translates-the-customers-page", test_zh_cn_translates_the_customers_page);

  return g_test_run ();
}
