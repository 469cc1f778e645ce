"""The small core every package stands on: errors, paths, reporting periods, settings (parameters files),
English and French labels, the one Jinja environment, import reports and error workbooks. It imports no other package."""  # noqa: E501
