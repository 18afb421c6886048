"""Green products and efficient motors (issue 23, part 3): the registries of certified green
building materials and of the green manufacturing lists (`registry`), and the motors of the
diagnoses' equipment inventories by GB 18613-2020 grade against the national targets
(`motors`). Pure: data and a `Reference` in, typed results out."""
