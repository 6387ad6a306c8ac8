#include <stdio.h>
#include <stdlib.h>

struct node { int key; struct node *left, *right; };

static struct node *insert(struct node *root, int key)
{
    if (root == NULL) {
        struct node *n = malloc(sizeof *n);
        n->key = key;
        n->left = n->right = NULL;
        return n;
    }
    if (key < root->key)
        root->left = insert(root->left, key);
    else if (key > root->key)
        root->right = insert(root->right, key);
    return root;
}

static void print_in_order(const struct node *root)
{
    if (!root)
        return;
    print_in_order(root->left);
    printf("%d\n", root->key);
    print_in_order(root->right);
}

int main(int argc, char **argv)
{
    struct node *root = NULL;
    for (int i = 1; i < argc; i++)
        root = insert(root, atoi(argv[i]));
    print_in_order(root);
    return 0;
}
