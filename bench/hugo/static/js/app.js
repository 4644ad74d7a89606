/* The Hugo peer ships no script: its pages have no charts and no table sorting. */
