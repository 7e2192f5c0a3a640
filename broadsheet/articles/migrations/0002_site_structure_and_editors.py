"""Put a HomePage at the root of the default site and give the Editors group what a
newsroom's editors need: publish pages, manage authors and publication settings."""

from django.db import migrations

EDITOR_MODEL_PERMISSIONS = [
    ("articles", "author", ["add", "change", "delete", "view"]),
    ("articles", "publicationsettings", ["change", "view"]),
]


def create_home_and_site(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")
    HomePage = apps.get_model("articles", "HomePage")

    if HomePage.objects.exists():
        return
    locale = Locale.objects.first() or Locale.objects.create(language_code="en")
    root = Page.objects.filter(depth=1).first()
    if root is None:
        return
    # Wagtail's own migration leaves a "Welcome" page; the newsroom's home replaces it.
    Page.objects.filter(depth=2, slug="home").exclude(content_type__model="homepage").delete()
    home_type, _ = ContentType.objects.get_or_create(app_label="articles", model="homepage")
    siblings = Page.objects.filter(depth=2).order_by("-path")
    last = siblings.first()
    next_step = (int(last.path[-4:], 36) + 1) if last else 1
    path = root.path + _encode(next_step)
    home = HomePage.objects.create(
        title="Home",
        draft_title="Home",
        slug="home",
        content_type=home_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        live=True,
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page_id=home.pk, is_default_site=True, site_name="Broadsheet")


def _encode(number: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digits = ""
    while number:
        number, rem = divmod(number, 36)
        digits = alphabet[rem] + digits
    return digits.rjust(4, "0")


def grant_editors(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")

    editors, _ = Group.objects.get_or_create(name="Editors")
    for app_label, model, actions in EDITOR_MODEL_PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        for action in actions:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type,
                codename=f"{action}_{model}",
                defaults={"name": f"Can {action} {model}"},
            )
            editors.permissions.add(permission)
    root = Page.objects.filter(depth=1).first()
    page_type = ContentType.objects.get(app_label="wagtailcore", model="page")
    if root is None:
        return
    for codename in ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]:
        permission, _ = Permission.objects.get_or_create(
            content_type=page_type, codename=codename, defaults={"name": codename.replace("_", " ")}
        )
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=permission)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(create_home_and_site, migrations.RunPython.noop),
        migrations.RunPython(grant_editors, migrations.RunPython.noop),
    ]
