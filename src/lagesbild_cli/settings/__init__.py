"""What the user configures (lagesbild.toml → a typed Config) and the domain's names: kommuner, län, slugs."""
